// Writes FILE.br (brotli, quality 11) and FILE.gz (gzip, level 9) next to each FILE given, so the
// server sends the site's bundle compressed without compressing it per request. Node's own zlib:
// Node is already here for wasm-opt and Playwright, so this needs no other tool.
import { readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  writeFileSync(`${file}.br`, br);
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(`${file}.gz`, gz);
  console.log(`${file}: ${bytes.length} B, ${br.length} B brotli, ${gz.length} B gzip`);
}
