// Drives Concierge's MCP server through the TypeScript SDK's Client, whose callTool validates
// every structuredContent against the tool's outputSchema (ajv with ajv-formats).
//
// Reads a JSON plan on stdin:
//   {"transport": {"kind": "stdio", "command", "args", "env", "cwd"}
//              | {"kind": "http", "url", "headers"},
//    "steps": [{"tool", "arguments", "tamper"?: {"pointer", "value"}}]}
// An argument {"$ref": "/tool/json/pointer", "slice": [a, b]?} is taken from an earlier answer.
// "tamper" rewrites that call's answer on its way in, before the Client sees it, so a test can
// prove the Client's own validation rejects a wrong value.
// Prints {"tools": [{name, hasOutputSchema}], "steps": [{tool, ok, structuredContent, text, error}]}.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const keysOf = (pointer) => pointer.split("/").slice(1);

function at(value, keys) {
  for (const key of keys) {
    if (value === undefined || value === null) return undefined;
    value = value[key];
  }
  return value;
}

function setAt(value, pointer, replacement) {
  const keys = keysOf(pointer);
  const last = keys.pop();
  at(value, keys)[last] = replacement;
}

function resolve(argument, answers) {
  if (Array.isArray(argument)) return argument.map((item) => resolve(item, answers));
  if (argument === null || typeof argument !== "object") return argument;
  if ("$ref" in argument) {
    const found = at(answers, keysOf(argument.$ref));
    if (found === undefined) throw new Error(`nothing at ${argument.$ref}`);
    return argument.slice ? found.slice(...argument.slice) : found;
  }
  return Object.fromEntries(
    Object.entries(argument).map(([key, item]) => [key, resolve(item, answers)]),
  );
}

// The Client reads the transport through its onmessage; this one edits one answer first.
class TamperingTransport {
  constructor(inner) {
    this.inner = inner;
    this.tamper = null;
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => {
      if (this.tamper && message.result?.structuredContent) {
        setAt(message.result.structuredContent, this.tamper.pointer, this.tamper.value);
        this.tamper = null;
      }
      this.onmessage?.(message, extra);
    };
  }
  start() { return this.inner.start(); }
  send(message, options) { return this.inner.send(message, options); }
  close() { return this.inner.close(); }
  get sessionId() { return this.inner.sessionId; }
  setProtocolVersion(version) { this.inner.setProtocolVersion?.(version); }
}

function transportFor(spec) {
  if (spec.kind === "stdio") {
    const { command, args, env, cwd } = spec;
    return new StdioClientTransport({ command, args, env, cwd, stderr: "inherit" });
  }
  return new StreamableHTTPClientTransport(new URL(spec.url), {
    requestInit: { headers: spec.headers },
  });
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const plan = await readStdin();
const transport = new TamperingTransport(transportFor(plan.transport));
const client = new Client({ name: "concierge-ts-test", version: "1.0.0" });
await client.connect(transport);
// Listing is what arms the Client's output validators.
const { tools } = await client.listTools();
const report = {
  tools: tools.map((tool) => ({ name: tool.name, hasOutputSchema: Boolean(tool.outputSchema) })),
  steps: [],
};
const answers = {};
for (const step of plan.steps) {
  const outcome = { tool: step.tool, ok: false };
  try {
    transport.tamper = step.tamper ?? null;
    const result = await client.callTool({
      name: step.tool,
      arguments: resolve(step.arguments ?? {}, answers),
    });
    outcome.ok = !result.isError;
    outcome.structuredContent = result.structuredContent ?? null;
    outcome.text = result.content.map((block) => block.text ?? "").join("\n");
    if (outcome.ok && !step.tamper) answers[step.tool] = result.structuredContent;
  } catch (error) {
    outcome.error = String(error?.message ?? error);
  }
  report.steps.push(outcome);
}
await client.close();
process.stdout.write(JSON.stringify(report) + "\n");
