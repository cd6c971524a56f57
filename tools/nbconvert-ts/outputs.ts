/**
 * Turns iopub messages into nbformat outputs: merges streams and collapses
 * carriage-return progress lines, honours clear_output (with wait), and keeps
 * displays updatable by id across cells.
 */
import type { Message } from './kernel';
import { joinSource, type CodeCell, type MimeBundle, type Output } from './notebook';

/** Applies carriage returns the way a terminal shows them: the last rewrite of each line wins. */
export function collapseCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text;
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      const parts = line.split('\r');
      // A trailing \r with nothing after it keeps what was written before it.
      for (let i = parts.length - 1; i >= 0; i--) if (parts[i] !== '') return parts[i];
      return '';
    })
    .join('\n');
}

/** Collects the outputs of the cells of one notebook run. */
export class OutputCollector {
  private cell: CodeCell | undefined;
  private clearPending = false;
  /** display id → the outputs (in any cell) that show it. */
  private readonly displays = new Map<string, Array<Extract<Output, { output_type: 'display_data' }>>>();

  /** Starts collecting for a cell; its previous outputs are dropped. */
  begin(cell: CodeCell): void {
    this.cell = cell;
    this.clearPending = false;
    cell.outputs = [];
  }

  private push(output: Output): void {
    const cell = this.cell!;
    if (this.clearPending) {
      cell.outputs = [];
      this.clearPending = false;
    }
    const last = cell.outputs[cell.outputs.length - 1];
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      // Merge raw: a progress line's carriage returns span several messages.
      last.text = joinSource(last.text) + joinSource(output.text);
      return;
    }
    cell.outputs.push(output);
  }

  /** Handles one iopub message of the current cell. */
  handle(message: Message): void {
    const content = message.content;
    switch (message.header.msg_type) {
      case 'stream':
        this.push({
          output_type: 'stream',
          name: content.name === 'stderr' ? 'stderr' : 'stdout',
          text: String(content.text ?? ''),
        });
        break;
      case 'display_data': {
        const output: Extract<Output, { output_type: 'display_data' }> = {
          output_type: 'display_data',
          data: (content.data ?? {}) as MimeBundle,
          metadata: (content.metadata ?? {}) as Record<string, unknown>,
        };
        const id = (content.transient as { display_id?: string } | undefined)?.display_id;
        if (id) {
          output.transient = { display_id: id };
          const shown = this.displays.get(id) ?? [];
          shown.push(output);
          this.displays.set(id, shown);
        }
        this.push(output);
        break;
      }
      case 'update_display_data': {
        const id = (content.transient as { display_id?: string } | undefined)?.display_id;
        for (const output of (id && this.displays.get(id)) || []) {
          output.data = (content.data ?? {}) as MimeBundle;
          output.metadata = (content.metadata ?? {}) as Record<string, unknown>;
        }
        break;
      }
      case 'execute_result':
        this.push({
          output_type: 'execute_result',
          data: (content.data ?? {}) as MimeBundle,
          metadata: (content.metadata ?? {}) as Record<string, unknown>,
          execution_count: (content.execution_count as number | undefined) ?? null,
        });
        break;
      case 'error':
        this.push({
          output_type: 'error',
          ename: String(content.ename ?? 'Error'),
          evalue: String(content.evalue ?? ''),
          traceback: (content.traceback as string[] | undefined) ?? [],
        });
        break;
      case 'clear_output':
        if (content.wait) this.clearPending = true;
        else this.cell!.outputs = [];
        break;
      default:
        break; // execute_input, comm messages and the like are not outputs
    }
  }

  /**
   * Handles a message that arrived after its cell finished (output of a timer or
   * a promise the cell left running): it goes to that cell, after its outputs.
   */
  handleLate(cell: CodeCell, message: Message): void {
    const current = this.cell;
    const clearPending = this.clearPending;
    this.cell = cell;
    this.clearPending = false;
    try {
      this.handle(message);
    } finally {
      this.cell = current;
      this.clearPending = clearPending;
    }
  }

  /** Records an error output synthesised by the executor (in `cell`, else the current cell). */
  addError(ename: string, evalue: string, traceback: string[], cell?: CodeCell): void {
    if (cell && cell !== this.cell) cell.outputs.push({ output_type: 'error', ename, evalue, traceback });
    else this.push({ output_type: 'error', ename, evalue, traceback });
  }

  /** Adds a note on stderr to the current cell (something the executor must tell the reader). */
  addNote(text: string): void {
    this.push({ output_type: 'stream', name: 'stderr', text });
  }

  /** The text the current cell wrote to stderr. */
  stderrText(): string {
    return (this.cell?.outputs ?? [])
      .filter(
        (o): o is Extract<Output, { output_type: 'stream' }> =>
          o.output_type === 'stream' && o.name === 'stderr',
      )
      .map((o) => joinSource(o.text))
      .join('');
  }

  /** Collapses progress lines of the current cell's streams; call when the cell is done. */
  end(): void {
    for (const output of this.cell?.outputs ?? []) {
      if (output.output_type === 'stream') output.text = collapseCarriageReturns(joinSource(output.text));
    }
  }

  /** Drops display ids: they are transient and not part of the stored notebook. */
  finish(): void {
    for (const shown of this.displays.values()) for (const output of shown) delete output.transient;
  }
}
