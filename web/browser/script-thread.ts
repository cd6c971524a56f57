/**
 * Browser implementation of lib/platform/script-thread: the page starts no thread of
 * its own for the course kernels, so starting one throws and they run their fixed
 * chunks in order on the page's thread (the same bits).
 */
import type * as NodeThread from '../../lib/platform/script-thread';

/** Throws: no script threads on the page. */
export const startScriptThread: typeof NodeThread.startScriptThread = () => {
  throw new Error('the page starts no script thread: the course kernels run on the page thread');
};
