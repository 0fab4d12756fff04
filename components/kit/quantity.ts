// Kubernetes quantities, parsed the way the API server does for the suffixes we accept.
// Used by validation (capacity maths) and by the kit (refusing malformed requests early).

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;

/** Bytes in a memory/storage quantity ("512Mi", "8Gi", "1G", "1073741824"); undefined when malformed. */
export function parseBytes(q: string): number | undefined {
  const m = QUANTITY.exec(String(q));
  if (!m) return undefined;
  const unit = m[2] ?? "";
  // "m" (milli) is in neither table: a CPU quantity is not a size.
  const factor = BINARY[unit] ?? DECIMAL[unit];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** Millicores in a CPU quantity ("250m", "2", "0.5"); undefined when malformed. */
export function parseMillicores(q: string | number): number | undefined {
  const m = QUANTITY.exec(String(q));
  if (!m) return undefined;
  if (m[2] === "m") return Number(m[1]);
  if (m[2] !== undefined) return undefined;
  return Number(m[1]) * 1000;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2).replace(/\.?0+$/, "")}Gi`;
  return `${Math.round(bytes / 2 ** 20)}Mi`;
}

export function formatMillicores(m: number): string {
  return m % 1000 === 0 ? `${m / 1000}` : `${Math.round(m)}m`;
}
