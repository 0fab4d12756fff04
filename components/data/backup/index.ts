export * from "./jobs";
export * from "./s3";
export * from "./scripts";
export * from "./walg";
export * from "./settings";
export * from "./freshness";
