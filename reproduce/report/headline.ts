/**
 * The published headline tables (the HRM paper's, then the TRM paper's) with
 * what this run measured for each row and benchmark: the rows that one of our
 * models maps onto show our cell, a row copied from the other paper (`cites`)
 * shows the cell of the row it cites. Shared by `summary.md` and `index.html`.
 * @module
 */
import type { Headline, HeadlineBenchmark, HeadlineModel, PaperFixtures } from "../paper.ts";
import type { Cell, TaskId, TaskReport } from "./schema.ts";

/** The headline tables in the order the reports show them. */
export function headlineTables(paper: PaperFixtures): Headline[] {
  return [paper.headline, paper.trm.headline];
}

/** Finds our measured cell for a headline row and benchmark. */
export function findCell(
  reports: TaskReport[],
  paperModel: string,
  task: TaskId,
): Cell | undefined {
  for (const r of reports) {
    const c = r.cells.find((x) => x.paperModel === paperModel && x.benchmark === task);
    if (c) return c;
  }
  return undefined;
}

/** What this run has for one row and benchmark of a headline table. */
export type Ours =
  /** No model of ours corresponds to the row (an LLM). */
  | { kind: "n/a" }
  /** Our model for the row did not run (or did not finish) on this benchmark. */
  | { kind: "not_run" }
  /** Our model ran, compared with another row of the table (TRM-MLP vs TRM-Att). */
  | { kind: "other_row"; row: string }
  | { kind: "cell"; cell: Cell };

/** Our value for a headline row on a benchmark. */
export function oursFor(reports: TaskReport[], row: HeadlineModel, b: HeadlineBenchmark): Ours {
  if (!row.ours) return { kind: "n/a" };
  const cell = findCell(reports, row.id, b) ??
    (row.cites ? findCell(reports, row.cites, b) : undefined);
  if (cell) return cell.ours === null ? { kind: "not_run" } : { kind: "cell", cell };
  for (const r of reports) {
    const other = r.cells.find((x) => x.model === row.ours && x.benchmark === b);
    if (other) return { kind: "other_row", row: other.paperModel };
  }
  return { kind: "not_run" };
}

/** Plain words for a value that is not a measured cell. */
export function oursWords(o: Exclude<Ours, { kind: "cell" }>): string {
  return o.kind === "n/a" ? "n/a" : o.kind === "not_run" ? "not run" : `see ${o.row}`;
}
