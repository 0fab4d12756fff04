export * from "./settings";
export * from "./spec";
export * from "./ollama";
export * from "./device-plugin";
