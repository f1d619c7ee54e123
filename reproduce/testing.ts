/**
 * Stand-ins for the tests that drive `reproduce` with a fake pipeline: an
 * environment record and a data step that writes only a dataset file.
 * @module
 */
import { join } from "node:path";
import type { Environment } from "./report/schema.ts";
import type { TaskPlan } from "./plan.ts";

/** An environment record with every version `x`, the cpu backend and `cpus` cores. */
export function fakeEnvironment(cpus: number): Environment {
  return {
    backend: "cpu",
    adapter: null,
    deno: "x",
    typescript: "x",
    v8: "x",
    tfjs: "x",
    os: "x",
    cpus,
  };
}

/** Writes `<dataDir>/train/dataset.json` holding `json`: the data step of a fake pipeline. */
export async function fakeDataset(plan: TaskPlan, json = "{}"): Promise<void> {
  await Deno.mkdir(join(plan.dataDir, "train"), { recursive: true });
  await Deno.writeTextFile(join(plan.dataDir, "train", "dataset.json"), json);
}
