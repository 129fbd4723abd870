/** Types of scripts/start.mjs for the tests that import it. */
export declare const BUILD_SOURCES: string[];
export declare const BUILD_OUTPUTS: string[];
export declare function buildSources(root: string): string[];
export declare function buildDecision(
  root: string,
  sources?: readonly string[],
  outputs?: readonly string[],
): { build: boolean; reason: string };
