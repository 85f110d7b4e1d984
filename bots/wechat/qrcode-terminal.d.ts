/** The part of qrcode-terminal (which ships no types) the WeChat login uses. */
declare module 'qrcode-terminal' {
  /** Prints `text` as a QR code to the terminal (`small`: half-height blocks). */
  export function generate(text: string, options?: { small?: boolean }, callback?: (qr: string) => void): void;
  const qrcodeTerminal: { generate: typeof generate };
  export default qrcodeTerminal;
}
