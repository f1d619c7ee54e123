/**
 * Fail loudly on WebGPU. tfjs-webgpu never checks its device for errors, and
 * in Deno a failed allocation or dispatch (a tensor over the device's
 * `maxStorageBufferBindingSize`, out of memory, a lost device) is silent: the
 * kernel does not run and its output reads as zeros. The guard listens for
 * the device's `uncapturederror` events and its `lost` promise and turns the
 * first one into one line naming the kernel and the shapes it was given, when
 * known, then (by default) ends the command with exit code 1.
 *
 * The kernel is found from the recent dispatches (tfjs' `runWebGPUProgram`,
 * wrapped to remember the program's name and its input and output shapes):
 * when the error names a binding size (`range N`), the oldest remembered
 * dispatch with a tensor of N bytes (such a binding fails every time, so the
 * oldest is the first failure); otherwise the latest dispatch before the error arrived
 * (errors are reported asynchronously, so this one is "at or after" the
 * failing kernel). `useBackend("webgpu")` installs the guard.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** One device error, as the guard reports it. */
export interface WebgpuFault {
  /** `validation`, `out-of-memory`, `internal` or `device lost`. */
  kind: string;
  /** The driver's message, first line. */
  message: string;
  /** The kernel (tfjs program) and its shapes, when known. */
  kernel?: string;
}

/** The one-line error a fault becomes. */
export function faultLine(f: WebgpuFault): string {
  const where = f.kernel ? ` in ${f.kernel}` : "";
  return `webgpu ${f.kind} error${where}: ${f.message} (results after it would be wrong; ` +
    `lower the batch or see docs/gpu.md)`;
}

/** What happens on a fault; the default prints the line and exits with code 1. */
export type FaultHandler = (fault: WebgpuFault, line: string) => void;

const exitHandler: FaultHandler = (_f, line) => {
  console.error(`error: ${line}`);
  Deno.exit(1);
};

let handler: FaultHandler = exitHandler;
let reported = false;

/** Replaces the fault handler (tests collect faults instead of exiting); returns the previous one. */
export function setFaultHandler(h: FaultHandler | undefined): FaultHandler {
  const previous = handler;
  handler = h ?? exitHandler;
  reported = false;
  return previous;
}

interface Dispatch {
  name: string;
  shapes: string;
  /** Byte sizes of the tensors it binds. */
  bytes: number[];
}

const RECENT = 64;
const recent: Dispatch[] = [];

/** The dispatches remembered (newest last), for tests and messages. */
export function recentDispatches(): readonly Dispatch[] {
  return recent;
}

function bytesOf(shape: readonly number[], dtype: string): number {
  return shape.reduce((a, b) => a * b, 1) * (dtype === "complex64" ? 8 : 4);
}

/** The kernel an error message points to (see the module header). */
export function kernelFor(message: string, dispatches: readonly Dispatch[]): string | undefined {
  const range = /range (\d+)/.exec(message);
  const size = range ? Number(range[1]) : undefined;
  // A binding over the limit fails every time it is bound: the oldest such dispatch is the first.
  for (let i = 0; i < dispatches.length && size !== undefined; i++) {
    const d = dispatches[i];
    if (d.bytes.some((b) => b === size || Math.ceil(b / 4) * 4 === size)) {
      return `${d.name} ${d.shapes}`;
    }
  }
  const last = dispatches[dispatches.length - 1];
  return last ? `${last.name} ${last.shapes} (the last kernel dispatched)` : undefined;
}

function kindOf(error: unknown): string {
  const name = (error as { constructor?: { name?: string } })?.constructor?.name ?? "";
  if (/OutOfMemory/i.test(name)) return "out-of-memory";
  if (/Validation/i.test(name)) return "validation";
  if (/Internal/i.test(name)) return "internal";
  return name || "unknown";
}

function report(fault: WebgpuFault): void {
  if (reported) return; // Later errors follow from the first (invalid bind groups and so on).
  reported = true;
  handler(fault, faultLine(fault));
}

interface TensorInfo {
  shape: number[];
  dtype: string;
}
interface GpuBackend {
  device: GPUDevice;
  runWebGPUProgram: (program: object, inputs: TensorInfo[], ...rest: unknown[]) => TensorInfo;
}

const guarded = new WeakSet<object>();

/**
 * Installs the guard on the active tfjs-webgpu backend's device (once per
 * device). Throws when the active backend is not webgpu.
 */
export function installWebgpuGuard(): void {
  if (tf.getBackend() !== "webgpu") {
    throw new Error(`the WebGPU guard needs the webgpu backend, not '${tf.getBackend()}'`);
  }
  const backend = tf.backend() as unknown as GpuBackend;
  const device = backend.device;
  if (guarded.has(device)) return;
  guarded.add(device);
  const run = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (program, inputs, ...rest) => {
    const out = run(program, inputs, ...rest);
    const shapes = [...inputs.map((t) => `[${t.shape.join(",")}]`), `-> [${out.shape.join(",")}]`]
      .join(" ");
    recent.push({
      name: program.constructor.name.replace(/Program$/, ""),
      shapes,
      bytes: [...inputs, out].map((t) => bytesOf(t.shape, t.dtype)),
    });
    if (recent.length > RECENT) recent.shift();
    return out;
  };
  device.addEventListener("uncapturederror", (ev) => {
    const error = (ev as GPUUncapturedErrorEvent).error;
    const message = String(error?.message ?? error).split("\n")[0];
    report({ kind: kindOf(error), message, kernel: kernelFor(message, recent) });
  });
  device.lost.then((info) => {
    // tfjs destroys its device only when the backend is disposed: that is not a fault.
    if (info.reason === "destroyed") return;
    report({
      kind: "device lost",
      message: info.message || String(info.reason),
      kernel: kernelFor("", recent),
    });
  });
}
