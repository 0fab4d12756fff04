export * from "./model";
export * from "./problems";
export * from "./parse";
export * from "./schedule";
export * from "./validate";
export * from "./plan";
export * from "./load";
export * from "./platform";
