// html-encoding-sniffer 7 ships no types; its signature, from its README.
declare module "html-encoding-sniffer" {
  interface SniffOptions {
    xml?: boolean;
    transportLayerEncodingLabel?: string;
    defaultEncoding?: string;
    maxPrescanBytes?: number;
  }
  /** The WHATWG encoding name (not a label) the HTML (or XML) byte stream is to be decoded with. */
  export default function htmlEncodingSniffer(bytes: Uint8Array, options?: SniffOptions): string;
}
