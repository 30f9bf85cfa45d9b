/**
 * Text as an HTTP header value the way Go sends a string: its UTF-8 bytes as they are (node:http
 * writes a header's characters as single bytes, so each byte becomes one character), and control
 * characters, which no header may hold (CR and LF above all: no header can be smuggled in), as
 * spaces.
 *
 * @example
 * headerText('José')        // 'JosÃ©': the bytes 4A 6F 73 C3 A9 on the wire
 * headerText('a\r\nX-Admin: 1') // 'a  X-Admin: 1'
 */
export function headerText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ')
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007f]/.test(clean) ? Buffer.from(clean, 'utf8').toString('latin1') : clean
}
