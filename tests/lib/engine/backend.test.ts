import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BACKEND_ORDER,
  BackendUnavailableError,
  describeBackend,
  initBackend,
  requestedBackend,
} from '../../../lib/backend';
import { jupyterDataDirs, userJupyterDataDir } from '../../../tools/jupyter/paths';

afterAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('COURSE_BACKEND', () => {
  it('accepts the known names in any case and ignores an empty value', () => {
    expect(requestedBackend({ COURSE_BACKEND: 'WASM' })).toBe('wasm');
    expect(requestedBackend({ COURSE_BACKEND: ' cpu ' })).toBe('cpu');
    expect(requestedBackend({ COURSE_BACKEND: '' })).toBeUndefined();
    expect(requestedBackend({})).toBeUndefined();
  });

  it('rejects an unknown name and lists the valid ones', () => {
    expect(() => requestedBackend({ COURSE_BACKEND: 'cuda' })).toThrow(
      /cuda is not a backend; use one of tensorflow, webgpu, wasm, cpu/,
    );
  });
});

describe('initBackend', () => {
  it('takes the first available backend in order and says why the better ones were passed over', async () => {
    const choice = await initBackend();
    expect(tf.getBackend()).toBe(choice.name);
    const index = choice.probes.findIndex((p) => p.available);
    expect(choice.probes[index]!.name).toBe(choice.name);
    expect(choice.probes.slice(0, index).every((p) => !p.available)).toBe(true);
    expect(choice.probes.map((p) => p.name)).toEqual(BACKEND_ORDER.slice(0, index + 1));
    for (const passed of choice.probes.slice(0, index))
      expect(choice.reason).toContain(`${passed.name} unavailable`);
    expect(choice.versions['tfjs-core']).toBe(tf.version_core);
    expect(describeBackend(choice)[0]).toBe(`backend: ${choice.name}`);
  });

  it('registers the training kernels when it starts wasm', async () => {
    const choice = await initBackend({ backend: 'wasm' });
    expect(choice.name).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('switches to a forced backend and back', async () => {
    const cpu = await initBackend({ backend: 'cpu' });
    expect(cpu.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend({ backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('explains what to install when a forced backend is missing', async () => {
    const choice = await initBackend();
    const tensorflowProbe = choice.probes.find((p) => p.name === 'tensorflow');
    if (tensorflowProbe?.available) return; // libtensorflow is installed here: nothing to refuse
    const attempt = initBackend({ backend: 'tensorflow' });
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(initBackend({ backend: 'tensorflow' })).rejects.toThrow(
      /install @tensorflow\/tfjs-node-gpu/,
    );
    expect(tf.getBackend()).toBe(choice.name);
  });
});

// The course kernel's spec and its installer are tested in tests/kernel/kernelspec.test.ts.
describe('Jupyter data directories', () => {
  it('follows JUPYTER_DATA_DIR, XDG_DATA_HOME and JUPYTER_PATH', () => {
    expect(userJupyterDataDir({ JUPYTER_DATA_DIR: '/x/j' }, 'linux')).toBe('/x/j');
    expect(userJupyterDataDir({ XDG_DATA_HOME: '/x/share' }, 'linux')).toBe('/x/share/jupyter');
    const dirs = jupyterDataDirs({ JUPYTER_PATH: '/a:/b', XDG_DATA_HOME: '/x/share' }, 'linux');
    expect(dirs.slice(0, 3)).toEqual(['/a', '/b', '/x/share/jupyter']);
    expect(dirs).toContain('/usr/share/jupyter');
  });
});
