// Preloaded by the benchmark (node -r): writes this process's peak RSS and wall time at exit.
const start = process.hrtime.bigint();
process.on("exit", () => {
  const file = process.env.BENCH_USAGE_FILE;
  if (!file) return;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  require("node:fs").writeFileSync(file, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ms }));
});
