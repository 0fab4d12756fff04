export * from "./spec";
export * from "./family-assistant";
export * from "./settings";
