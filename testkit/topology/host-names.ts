// Names and addresses of the topology's hosts and links (inside per-run namespaces).

/** Namespace role of host i: `h1`…`hN` (the stand-in's is `tgw`). */
export function hostRole(index: number): string {
  if (!Number.isInteger(index) || index < 1) throw new RangeError(`host index must be an integer ≥ 1, got ${index}`);
  return `h${index}`;
}

// Interface names live inside the namespaces, so they need no run suffix, only to fit IFNAMSIZ.
/** The stand-in's port towards host i (the recipe's `tgw-b`). */
export function tgwPortName(index: number): string {
  return `tgw-h${index}`;
}
/** Host i's uplink (the recipe's `hb0`). */
export function uplinkName(index: number): string {
  return `h${index}-up`;
}
/** Host i's unicast address on the stand-in's subnet. */
export function hostAddress(index: number, subnet = '10.77.0'): string {
  if (index < 1 || index > 200) throw new RangeError(`host index must be 1..200, got ${index}`);
  return `${subnet}.${10 + index}`;
}
