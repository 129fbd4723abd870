import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { dropTemplate } = await tsImport('./template-db-teardown.ts', import.meta.url);
  await dropTemplate();
}
