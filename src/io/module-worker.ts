/**
 * Starts a worker thread on a module next to the caller: `name.js` in dist; under vitest/tsx
 * (the caller is .ts) `name.ts`, loaded through tsx's API from a small bootstrap, because on
 * Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's entry module ("Unknown
 * file extension .ts").
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';

export function startModuleWorker(callerUrl: string, name: string, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData, resourceLimits });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const source = new URL(`./${name}.ts`, callerUrl).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => api.tsImport(${JSON.stringify(source)}, ${JSON.stringify(callerUrl)}))`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}
