// Offers text as a file download. A Blob URL opened by an <a download> is a download, not
// a fetch or a navigation, so the page's CSP (connect-src 'self', no blob:) does not need
// widening for it.
export function saveTextFile(fileName: string, mimeType: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers read the Blob after click() returns; a minute is ample for a text file.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
