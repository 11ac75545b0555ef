// Loaded with --import by bench/report.ts: the command's own peak resident set size, printed to stderr as it exits.
process.on('exit', () => process.stderr.write(`bench-max-rss-kb ${process.resourceUsage().maxRSS}\n`));
