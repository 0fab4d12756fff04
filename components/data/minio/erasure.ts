// MinIO's erasure arithmetic, pure: the erasure-set size MinIO picks for a drive layout, the read and
// write quorums of a parity, and what losing one node means for a given placement. Validation, the
// render summary and the tests all use these, so the statement printed is the one checked.

/** Erasure-set sizes MinIO supports (its setSizes: 2–16); this platform asks for 4–16 (parity ≥ 2 needs 4). */
export const MIN_SET_DRIVES = 4;
export const MAX_SET_DRIVES = 16;

/**
 * The erasure-set size MinIO chooses for `pods` × `drivesPerPod` drives given as one ellipses
 * argument (`http://minio-{0...P-1}…/data{0...D-1}`): the largest supported size that divides the
 * drive count and is symmetric with the range MinIO checks (MinIO's getSetIndexes,
 * possibleSetCountsWithSymmetry and commonSetDriveCount in cmd/endpoint-ellipses.go: its symmetry
 * loop keeps the verdict of the last pattern it visits, and the parser lists patterns from the right,
 * so the host range decides, or the drive range when there is one pod). Undefined when no supported
 * size fits (e.g. 17 drives).
 */
export function erasureSetSize(pods: number, drivesPerPod: number): number | undefined {
  const total = pods * drivesPerPod;
  const decisive = pods > 1 ? pods : drivesPerPod;
  const symmetric = (s: number) => decisive <= 1 || (decisive > s ? decisive % s === 0 : s % decisive === 0);
  const sizes: number[] = [];
  for (let s = 2; s <= MAX_SET_DRIVES; s++) if (total % s === 0 && symmetric(s)) sizes.push(s);
  if (sizes.length === 0) return undefined;
  if (total < sizes[sizes.length - 1]) return total;
  // The largest size with the fewest sets.
  let best = sizes[0];
  for (const s of sizes) if (total / s <= total / best) best = s;
  return best;
}

export interface Quorum {
  /** Drives per erasure set. */
  readonly setDrives: number;
  readonly parity: number;
  /** Drives of a set that must answer for a read (the data shards). */
  readonly read: number;
  /** Drives of a set that must answer for a write: the data shards, one more when parity is exactly half (no split brain). */
  readonly write: number;
}

export function quorum(setDrives: number, parity: number): Quorum {
  const data = setDrives - parity;
  return { setDrives, parity, read: data, write: data === parity ? data + 1 : data };
}

export interface NodeLossOutcome {
  readonly statement: string;
  /** Losing some single node stops reads (a warning: the storage has a single point of failure). */
  readonly singleNodeStopsReads: boolean;
  /** Losing some single node stops writes. */
  readonly singleNodeStopsWrites: boolean;
}

/**
 * What losing one node means, from where the pods actually are: `podsPerNode` counts MinIO pods per
 * node. With one erasure set (≤ 16 drives) a node takes all its drives out of that set; with several
 * sets we assume the worst, that they all sit in one set.
 */
export function nodeLossOutcome(podsPerNode: readonly number[], drivesPerPod: number, parity: number, setDrives: number): NodeLossOutcome {
  const perNode = podsPerNode.filter((p) => p > 0).map((p) => p * drivesPerPod);
  const total = perNode.reduce((a, b) => a + b, 0);
  const q = quorum(setDrives, parity);
  const head = `${total} drive${total === 1 ? "" : "s"} on ${perNode.length} node${perNode.length === 1 ? "" : "s"}${perNode.length > 1 && new Set(perNode).size > 1 ? ` (${[...perNode].sort((a, b) => b - a).join(" + ")})` : ""}, EC:${parity}`;
  const lost = (drives: number) => Math.min(drives, setDrives);
  const readsSurvive = (drives: number) => setDrives - lost(drives) >= q.read;
  const writesSurvive = (drives: number) => setDrives - lost(drives) >= q.write;
  const quorumText = `write quorum ${q.write} of ${setDrives}`;
  if (perNode.length <= 1) {
    return {
      statement: `${head}: one node holds every drive, so losing it stops reads and writes (up to ${parity} failed drives are survived; ${quorumText})`,
      singleNodeStopsReads: true,
      singleNodeStopsWrites: true,
    };
  }
  const most = Math.max(...perNode);
  const fewest = Math.min(...perNode);
  let statement: string;
  if (writesSurvive(most)) statement = `${head}: reads and writes survive the loss of any one node (${quorumText})`;
  else if (readsSurvive(most)) {
    statement = writesSurvive(fewest)
      ? `${head}: reads survive the loss of any one node; writes stop if a node with ${most} drives is lost (${quorumText})`
      : `${head}: reads survive the loss of one node, writes stop (${quorumText})`;
  } else statement = `${head}: losing a node with ${most} drives stops reads and writes (read quorum ${q.read} of ${setDrives}, ${quorumText})`;
  return { statement, singleNodeStopsReads: !readsSurvive(most), singleNodeStopsWrites: !writesSurvive(most) };
}
