import ipaddr from "ipaddr.js";

/**
 * Which resolved addresses the fetcher may connect to: only globally routable unicast.
 * ipaddr.js names every IANA special-purpose range (loopback, private, link-local incl. the 169.254.169.254
 * metadata service, CGNAT, multicast, reserved, benchmarking, unique-local, 6to4, Teredo, NAT64…); anything
 * it does not call "unicast" is refused. IPv4-mapped/compatible IPv6 is judged as the IPv4 inside it.
 */
export function addressVerdict(address: string): { allowed: boolean; range: string } {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  } catch {
    return { allowed: false, range: "unparseable" };
  }
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return addressVerdict(v6.toIPv4Address().toString());
    // IPv4-compatible (::a.b.c.d, deprecated) also smuggles an IPv4 address.
    const parts = v6.parts;
    if (parts.slice(0, 6).every((p) => p === 0) && (parts[6] ?? 0) !== 0) {
      return addressVerdict(
        `${(parts[6] ?? 0) >> 8}.${(parts[6] ?? 0) & 255}.${(parts[7] ?? 0) >> 8}.${(parts[7] ?? 0) & 255}`,
      );
    }
  }
  const range = parsed.range();
  return { allowed: range === "unicast", range };
}

export function isIpLiteral(hostname: string): boolean {
  return ipaddr.isValid(hostname.replace(/^\[|\]$/g, ""));
}
