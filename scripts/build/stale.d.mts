/** Types of stale.mjs (plain JavaScript so that `npm start` needs no TypeScript loader). */
export declare const SOURCES: { server: string[]; dashboard: string[] };
export declare function isStale(outputMtimeMs: number | undefined, sourceMtimesMs: number[]): boolean;
export declare function mtimes(paths: string[]): number[];
export declare function mtimeOf(path: string): number | undefined;
