export * from "./settings";
export * from "./rules";
export * from "./alertmanager";
export * from "./values";
export * from "./observability";
