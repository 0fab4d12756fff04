export * from "./patroni-config";
export * from "./spec";
export * from "./postgres";
