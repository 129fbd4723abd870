// Jest loads globalSetup with Node's own resolver, which does not map our `.js` imports to `.ts`
// sources; tsx does, so the TypeScript setup is imported through it.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { createTemplate } = await tsImport('./template-db.ts', import.meta.url);
  await createTemplate();
}
