"""Jupyter's own kernel test suite (jupyter_kernel_test) against the course kernel.

Run by tests/kernel/protocol.test.ts with JUPYTER_PATH set to a temporary folder
holding the course kernelspec (never the user's own Jupyter folders). Besides
the suite's samples, it checks what the course kernel promises on top: errors
that name the cell's line, type errors with line and column, busy status while
a request waits behind a running cell, an interrupt of awaited work, and the
kernel's exit when the process named by JPY_PARENT_PID dies.
"""
import time
import unittest

import jupyter_kernel_test
from jupyter_kernel_test.msgspec_v5 import validate_message

TIMEOUT = 60


class CourseKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "cnn-course-ts"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world");'
    code_stderr = 'console.error("to stderr");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "const greeting: string = 'hi'; greeting + '!'", "result": "'hi!'"},
        {"code": "({ a: 1, b: [1, 2] })", "result": "{ a: 1, b: [ 1, 2 ] }"},
    ]
    code_display_data = [
        {"code": "import * as tslab from 'tslab';\ntslab.display.html('<b>bold</b>');", "mime": "text/html"},
        {"code": "import * as tslab from 'tslab';\ntslab.display.markdown('*md*');", "mime": "text/markdown"},
    ]
    code_clear_output = "(globalThis as any)[Symbol.for('cnn-course-ts.kernel')].clearOutput();"
    code_generate_error = "throw new RangeError('out of range');"
    completion_samples = [{"text": "Math.flo", "matches": {"floor"}}]
    complete_code_samples = ["const x = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const a = [1,"]
    code_inspect_sample = "Math.max"

    def run_cell(self, code, **kwargs):
        self.flush_channels()
        return self.execute_helper(code=code, timeout=TIMEOUT, **kwargs)

    def test_course_error_names_cell_line(self):
        reply, outputs = self.run_cell("const n: number = 2;\n\nfunction fail(k: number): never {\n  throw new TypeError('bad ' + k);\n}\nfail(n);")
        content = reply["content"]
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["ename"], "TypeError")
        self.assertEqual(content["evalue"], "bad 2")
        tb = "\n".join(content["traceback"])
        self.assertRegex(tb, r"at fail \(<cell \[\d+\]>:4:9\)")
        self.assertRegex(tb, r"<cell \[\d+\]>:6:1")
        self.assertNotIn("tslab", tb)
        self.assertNotIn("node:", tb)
        self.assertEqual([m["msg_type"] for m in outputs], ["error"])
        self.assertEqual(outputs[0]["content"]["traceback"], content["traceback"])

    def test_course_type_error_has_line_and_column(self):
        reply, outputs = self.run_cell("const ok = 1;\nconst s: string = 42;")
        content = reply["content"]
        self.assertEqual(content["ename"], "TypeScriptError")
        self.assertIn("line 2, column 7", content["evalue"])
        self.assertIn("not assignable to type 'string'", content["evalue"])

    def test_course_strict_null_checks(self):
        reply, _ = self.run_cell("const m = new Map<string, number>();\nm.get('a').toFixed();")
        self.assertEqual(reply["content"]["ename"], "TypeScriptError")
        self.assertIn("possibly 'undefined'", reply["content"]["evalue"])

    def test_course_print_flood_arrives_whole_and_ends_idle(self):
        # A tight print loop: batched into a few stream messages, every line kept, idle at the end.
        reply, outputs = self.run_cell("for (let i = 0; i < 5000; i++) console.log(i);")
        self.assertEqual(reply["content"]["status"], "ok")
        streams = [m for m in outputs if m["msg_type"] == "stream"]
        self.assertLess(len(streams), 20)
        text = "".join(m["content"]["text"] for m in streams)
        self.assertEqual(text, "".join(f"{i}\n" for i in range(5000)))

    def test_course_imports_es_module_only_package(self):
        # vega-lite is ES-module-only with top-level await: require() cannot load it.
        reply, outputs = self.run_cell("const { version: vlVersion } = await import('vega-lite');\nvlVersion")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertRegex(results[0]["content"]["data"]["text/plain"], r"^'\d+\.\d+\.\d+'$")

    def test_course_busy_while_queued_request_waits(self):
        self.flush_channels()
        first = self.kc.execute("await new Promise((r) => setTimeout(r, 1500)); 1")
        second = self.kc.execute("2")
        states = []
        deadline = time.time() + TIMEOUT
        while time.time() < deadline and (second, "idle") not in states:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            validate_message(msg, msg["msg_type"], msg["parent_header"]["msg_id"])
            if msg["msg_type"] == "status":
                states.append((msg["parent_header"]["msg_id"], msg["content"]["execution_state"]))
        self.assertEqual(states, [(first, "busy"), (first, "idle"), (second, "busy"), (second, "idle")])
        replies = {}
        while len(replies) < 2:
            msg = self.kc.get_shell_msg(timeout=TIMEOUT)
            replies[msg["parent_header"]["msg_id"]] = msg["content"]
        self.assertEqual(replies[first]["status"], "ok")
        self.assertEqual(replies[second]["execution_count"], replies[first]["execution_count"] + 1)

    def test_course_interrupt_stops_awaited_work(self):
        self.flush_channels()
        started = time.time()
        msg_id = self.kc.execute("await new Promise((r) => setTimeout(r, 60000));")
        time.sleep(1.0)
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertLess(time.time() - started, 30)
        # The kernel still works after an interrupt.
        time.sleep(0.3)
        reply, _ = self.run_cell("40 + 2")
        self.assertEqual(reply["content"]["status"], "ok")


if __name__ == "__main__":
    unittest.main(verbosity=2)
