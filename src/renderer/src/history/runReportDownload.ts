// Saves a run report the way a browser saves a file: a Blob behind a temporary object URL
// and a link with `download`. No new window and no navigation, so the page's CSP and the
// window's navigation guard are not involved; Electron asks where to save it.
import type { RunReport } from '../../../shared/api';

export function downloadRunReport(report: RunReport): void {
  const url = URL.createObjectURL(new Blob([report.text], { type: report.mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = report.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its copy once click() returns; free the Blob a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
