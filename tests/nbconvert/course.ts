// The executor and the converter as the course runs them (its kernel, cache inputs and
// environment, its chart renderer): the tests of nbconvert-ts's behaviour on course-like
// notebooks use these; tests/nbconvert/standalone.test.ts runs the tool without the course.
import { courseConvertOptions, courseExecuteOptions } from '../../tools/course-notebooks';
import * as convert from '../../tools/nbconvert-ts/convert';
import * as execute from '../../tools/nbconvert-ts/execute';

/** {@link execute.executeNotebook} with the course's kernel (options given win). */
export const executeNotebook = (
  path: string,
  options: execute.ExecuteOptions = {},
): Promise<execute.NotebookReport> => execute.executeNotebook(path, { ...courseKernelOptions(), ...options });

/** {@link execute.executeMany} with the course's kernel (options given win). */
export const executeMany = (
  paths: string[],
  optionsFor: (path: string) => execute.ExecuteOptions,
  jobs?: number,
): Promise<execute.NotebookReport[]> =>
  execute.executeMany(paths, (path) => ({ ...courseKernelOptions(), ...optionsFor(path) }), jobs);

/** {@link convert.convertNotebook} with the course's chart renderer. */
export const convertNotebook = (path: string, options: convert.ConvertOptions): Promise<string> =>
  convert.convertNotebook(path, { ...courseConvertOptions(), ...options });

// The kernel only: cache inputs stay what each test gives (the fixtures do not depend on lib/).
function courseKernelOptions(): execute.ExecuteOptions {
  const { defaultKernel, kernelHint, cacheEnv } = courseExecuteOptions();
  return { defaultKernel, kernelHint, cacheEnv };
}
