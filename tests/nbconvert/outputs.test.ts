// How iopub messages become nbformat outputs, message by message, as the
// Jupyter messaging spec and nbformat define them (no kernel needed).
import { describe, expect, it } from 'vitest';
import type { Message } from '../../tools/nbconvert-ts/kernel';
import type { CodeCell } from '../../tools/nbconvert-ts/notebook';
import { collapseCarriageReturns, OutputCollector } from '../../tools/nbconvert-ts/outputs';

function message(msgType: string, content: Record<string, unknown>): Message {
  const header = {
    msg_id: 'm',
    msg_type: msgType,
    session: 's',
    username: 'u',
    date: '2026-01-01T00:00:00Z',
    version: '5.3',
  };
  return { header, parent_header: {}, metadata: {}, content };
}

const cell = (): CodeCell => ({
  cell_type: 'code',
  id: 'c',
  metadata: {},
  source: '',
  execution_count: 1,
  outputs: [],
});
const stream = (name: string, text: string) => message('stream', { name, text });
const display = (text: string, displayId?: string) =>
  message('display_data', {
    data: { 'text/plain': text },
    metadata: {},
    ...(displayId ? { transient: { display_id: displayId } } : {}),
  });

describe('OutputCollector', () => {
  it('merges consecutive writes to one stream, not across streams, and collapses progress lines at the end', () => {
    const c = cell();
    const collector = new OutputCollector();
    collector.begin(c);
    for (const m of [
      stream('stdout', 'epoch 1 10%\r'),
      stream('stdout', 'epoch 1 100%\n'),
      stream('stderr', 'warn\n'),
      stream('stdout', 'done\n'),
    ])
      collector.handle(m);
    collector.end();
    expect(c.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'epoch 1 100%\n' },
      { output_type: 'stream', name: 'stderr', text: 'warn\n' },
      { output_type: 'stream', name: 'stdout', text: 'done\n' },
    ]);
  });

  it('clears at once without wait, and at the next output with wait', () => {
    const c = cell();
    const collector = new OutputCollector();
    collector.begin(c);
    collector.handle(display('a'));
    collector.handle(message('clear_output', { wait: false }));
    expect(c.outputs).toEqual([]);
    collector.handle(display('b'));
    collector.handle(message('clear_output', { wait: true }));
    expect(c.outputs).toHaveLength(1); // still shown until something replaces it
    collector.handle(display('c'));
    expect(c.outputs.map((o) => (o as { data: Record<string, string> }).data['text/plain'])).toEqual(['c']);
  });

  it('updates a display by id in an earlier cell and drops the transient id when done', () => {
    const first = cell();
    const second = cell();
    const collector = new OutputCollector();
    collector.begin(first);
    collector.handle(display('v1', 'chart'));
    collector.handle(display('other', 'other'));
    collector.end();
    collector.begin(second);
    collector.handle(
      message('update_display_data', {
        data: { 'text/plain': 'v2' },
        metadata: { w: 1 },
        transient: { display_id: 'chart' },
      }),
    );
    collector.handle(
      message('update_display_data', {
        data: { 'text/plain': 'ignored' },
        metadata: {},
        transient: { display_id: 'unknown' },
      }),
    );
    collector.end();
    collector.finish();
    expect(second.outputs).toEqual([]);
    expect(first.outputs).toEqual([
      { output_type: 'display_data', data: { 'text/plain': 'v2' }, metadata: { w: 1 } },
      { output_type: 'display_data', data: { 'text/plain': 'other' }, metadata: {} },
    ]);
  });

  it('keeps execute results with their count and published errors', () => {
    const c = cell();
    const collector = new OutputCollector();
    collector.begin(c);
    collector.handle(message('execute_input', { code: 'x', execution_count: 1 }));
    collector.handle(
      message('execute_result', { data: { 'text/plain': '3' }, metadata: {}, execution_count: 1 }),
    );
    collector.handle(message('error', { ename: 'E', evalue: 'v', traceback: ['t'] }));
    expect(c.outputs).toEqual([
      { output_type: 'execute_result', data: { 'text/plain': '3' }, metadata: {}, execution_count: 1 },
      { output_type: 'error', ename: 'E', evalue: 'v', traceback: ['t'] },
    ]);
  });
});

describe('collapseCarriageReturns', () => {
  it('keeps the last rewrite of each line, as a terminal shows it', () => {
    expect(collapseCarriageReturns('a 1\ra 2\ra 3\nb\r\nc 1\rc 2\r')).toBe('a 3\nb\nc 2');
    expect(collapseCarriageReturns('no returns\n')).toBe('no returns\n');
  });
});
