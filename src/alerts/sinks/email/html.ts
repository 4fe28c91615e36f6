// HTML escaping for alert emails: finding text becomes inert text, never markup.

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** A header value on one line (nodemailer encodes it; this only stops line breaks and runaway length). */
export function oneLine(text: string, maxLength = 200): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}
