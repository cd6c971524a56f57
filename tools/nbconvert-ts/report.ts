/** JUnit XML for CI dashboards: one test case per notebook. */
import type { NotebookReport } from './execute';

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** One `<testsuite>` with a `<testcase>` per notebook; failures carry the message. */
export function junitReport(reports: NotebookReport[]): string {
  const failures = reports.filter((r) => r.status !== 'ok').length;
  const total = reports.reduce((s, r) => s + r.seconds, 0);
  const cases = reports.map((r) => {
    const open = `  <testcase classname="notebooks" name="${escapeXml(r.notebook)}" time="${r.seconds.toFixed(3)}"`;
    if (r.status === 'ok') return `${open}/>`;
    return `${open}>\n    <failure type="${r.status}" message="${escapeXml(r.failedCell ? `${r.failedCell.ename}: ${r.failedCell.evalue}` : r.status)}">${escapeXml(r.message ?? '')}</failure>\n  </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="nbconvert-ts" tests="${reports.length}" failures="${failures}" time="${total.toFixed(3)}">\n${cases.join('\n')}\n</testsuite>\n`;
}
