/**
 * Summaries of repeated timings and a description of the machine.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Median, min and max of a sample, plus the raw values. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** Summarises a non-empty sample. */
export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new Error("summarize: no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: values };
}

/** Rate summary (per second) from durations in seconds: median of rates, min and max. */
export function rates(seconds: number[], perRun: number): Summary {
  return summarize(seconds.map((s) => perRun / s));
}

/** Peak resident set size of this process (Linux VmHWM), in MiB; current RSS elsewhere. */
export function peakRssMb(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const m = status.match(/^VmHWM:\s+(\d+)\s+kB/m);
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return Deno.memoryUsage().rss / 2 ** 20;
}

/** What the numbers were measured on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memory_gb: number;
  os: string;
  /** 1, 5 and 15-minute load averages when the run started (a shared machine is noisy). */
  loadavg: number[];
  deno: string;
  v8: string;
  tfjs: string;
}

/** Describes this machine and the tool versions. */
export function machineInfo(): MachineInfo {
  let cpu = "unknown";
  try {
    const m = Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.+)$/m);
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  let loadavg: number[] = [];
  try {
    loadavg = Deno.loadavg();
  } catch {
    // unsupported
  }
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    memory_gb: Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    loadavg,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    tfjs: tf.version.tfjs,
  };
}
