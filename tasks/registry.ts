/**
 * Imports every task module so that each registers itself; import this (not
 * the task modules one by one) wherever tasks are looked up by name.
 * @module
 */
import "./arc/mod.ts";
import "./maze/mod.ts";
import "./sudoku/mod.ts";

export { getTask, listTasks } from "./task.ts";
