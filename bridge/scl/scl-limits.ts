// The bounds an SCL file must stay within, apart from the reader so that the CLI can show them
// as option defaults without loading the XML parser.
import type { XmlLimits } from './xml-tree.js';

/** Far above real station files (an IED keeps a few hundred elements), far below what exhausts memory. */
export const DEFAULT_SCL_LIMITS: XmlLimits = { maxDepth: 64, maxElements: 20_000_000, maxKept: 2_000_000 };
