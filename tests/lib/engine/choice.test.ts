// rememberedChoice: the one memo behind initBackend in Node (lib/engine/backend) and on
// the page (web/browser/backend). A fake `choose` counts its calls: no backend starts here.
import { describe, expect, it } from 'vitest';
import { rememberedChoice, type BackendChoice, type BackendName } from '../../../lib/engine/choice';

function fakeChooser(fail: BackendName[] = []) {
  const calls: Array<BackendName | undefined> = [];
  const choose = async (wanted: BackendName | undefined): Promise<BackendChoice> => {
    calls.push(wanted);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const name = wanted ?? 'wasm';
    if (fail.includes(name)) throw new Error(`${name} failed`);
    return { name, forced: wanted !== undefined, reason: `call ${calls.length}`, probes: [], versions: {} };
  };
  return { calls, choose };
}

describe('rememberedChoice', () => {
  it('starts once for concurrent calls without a wish, then keeps the choice', async () => {
    const { calls, choose } = fakeChooser();
    const memo = rememberedChoice(choose);
    expect(memo.current()).toBeUndefined();
    const [a, b] = await Promise.all([memo.init(undefined), memo.init(undefined)]);
    expect(calls).toEqual([undefined]);
    expect(b).toBe(a);
    expect(await memo.init(undefined)).toBe(a);
    expect(await memo.init('wasm')).toBe(a);
    expect(memo.current()).toBe(a);
    expect(calls).toEqual([undefined]);
  });

  it('starts another backend when one is named, and keeps that one', async () => {
    const { calls, choose } = fakeChooser();
    const memo = rememberedChoice(choose);
    const first = await memo.init(undefined);
    const cpu = await memo.init('cpu');
    expect(cpu.name).toBe('cpu');
    expect(cpu).not.toBe(first);
    expect(memo.current()).toBe(cpu);
    expect(await memo.init(undefined)).toBe(cpu);
    expect(calls).toEqual([undefined, 'cpu']);
  });

  it('keeps nothing from a failed start: the error reaches the caller and the next call tries again', async () => {
    const { calls, choose } = fakeChooser(['webgpu']);
    const memo = rememberedChoice(choose);
    const first = await memo.init(undefined);
    await expect(memo.init('webgpu')).rejects.toThrow('webgpu failed');
    expect(memo.current()).toBe(first);
    await expect(memo.init('webgpu')).rejects.toThrow('webgpu failed');
    expect(calls).toEqual([undefined, 'webgpu', 'webgpu']);
  });
});
