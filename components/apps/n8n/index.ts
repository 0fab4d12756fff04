export * from "./spec";
export * from "./n8n";
export * from "./settings";
