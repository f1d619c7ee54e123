import assert from "node:assert/strict";
import { formatDuration, formatNumber, Progress } from "./progress.ts";

Deno.test("progress: plain lines off a terminal, with a final one", () => {
  const lines: string[] = [];
  const p = new Progress({
    total: 10,
    label: "train",
    tty: false,
    intervalS: 3600,
    write: (l) => lines.push(l),
  });
  for (let i = 1; i <= 10; i++) p.update(i, { loss: 0.25 });
  p.stop();
  p.stop();
  assert.equal(lines.length, 2, "one line at start, one at the end");
  assert.match(lines[1], /^train: 10\/10 \(100\.0%\) elapsed \d+s eta \S+ +loss 0\.2500$/);
});

Deno.test("progress: add() counts up to the total; quiet prints nothing", () => {
  const lines: string[] = [];
  const p = new Progress({ total: 4, label: "gen", tty: false, write: (l) => lines.push(l) });
  p.add(1);
  p.add(10);
  p.stop();
  assert.deepEqual(lines.map((l) => l.split(" (")[0]), ["gen: 1/4", "gen: 4/4"]);
  const quiet: string[] = [];
  const q = new Progress({ total: 4, label: "q", quiet: true, write: (l) => quiet.push(l) });
  q.update(2);
  q.log("hello");
  q.stop();
  Progress.silent().update(3);
  assert.deepEqual(quiet, []);
});

Deno.test("progress: log() goes through write off a terminal", () => {
  const lines: string[] = [];
  const p = new Progress({ total: 2, label: "x", tty: false, write: (l) => lines.push(l) });
  p.log("note");
  assert.deepEqual(lines, ["note"]);
  p.stop();
});

Deno.test("progress: durations and numbers", () => {
  assert.equal(formatDuration(12.4), "12s");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(3720), "1h02m");
  assert.equal(formatDuration(NaN), "?");
  assert.equal(formatNumber(3), "3");
  assert.equal(formatNumber(0.25), "0.2500");
  assert.equal(formatNumber(1e-5), "1.000e-5");
});
