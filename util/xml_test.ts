import assert from "node:assert/strict";
import { escapeXml } from "./xml.ts";

Deno.test("escapeXml: the five special characters become numeric references", () => {
  assert.equal(escapeXml(`a<b>&"c'`), "a&#60;b&#62;&#38;&#34;c&#39;");
  assert.equal(escapeXml("plain 30x30"), "plain 30x30");
});
