// What `homelab:nodes` tells the user when a node list is wrong: the exact path, message and fix of
// each problem, through the public entry point (validation of a raw stack config).
import { Raw, refusedProblems, stackRaw } from "../lib/stack-config";

/** The problems validation refuses the homelab stack with after `edit`. */
function problemsWith(edit: (raw: Raw) => void) {
  const raw = stackRaw("homelab");
  edit(raw);
  return refusedProblems(raw);
}

describe("homelab:nodes problems name the node, what is wrong and the fix", () => {
  it("an empty node list is refused as a stack with no nodes", () => {
    expect(problemsWith((r) => (r.nodes = []))).toStrictEqual([
      { path: "homelab:nodes", message: "the stack has no nodes", fix: "list at least one node under homelab:nodes" },
    ]);
  });

  it("a node without roles is refused, listing the three roles", () => {
    expect(problemsWith((r) => (r.nodes[0].roles = []))).toStrictEqual([
      { path: "homelab:nodes[0].roles", message: "a node needs at least one role", fix: "set roles to a list of service, compute, gpu" },
    ]);
  });

  it("an unknown role is refused, quoting it and listing the three roles", () => {
    expect(problemsWith((r) => (r.nodes[1].roles = ["compute", "storage"]))).toStrictEqual([
      { path: "homelab:nodes[1].roles[1]", message: 'unknown role "storage"', fix: "roles are service, compute, gpu" },
    ]);
  });

  it("a node name used twice is refused on the second node, naming the first", () => {
    expect(problemsWith((r) => (r.nodes[1].name = "asuna"))).toStrictEqual([
      { path: "homelab:nodes[1].name", message: 'node name "asuna" is already used by homelab:nodes[0]', fix: "give every node a unique name" },
    ]);
  });

  it("a LAN address that is another node's address is refused, naming that node", () => {
    expect(problemsWith((r) => (r.nodes[1].lanAddress = "100.81.76.55"))).toStrictEqual([
      { path: "homelab:nodes[1].lanAddress", message: "address 100.81.76.55 is already used by homelab:nodes[0] (asuna)", fix: "every node needs its own addresses" },
    ]);
  });

  it("an external address that is another node's LAN address is refused, naming that node", () => {
    expect(problemsWith((r) => (r.nodes[1].externalAddress = "192.168.8.185"))).toStrictEqual([
      { path: "homelab:nodes[1].externalAddress", message: "address 192.168.8.185 is already used by homelab:nodes[0] (asuna)", fix: "every node needs its own addresses" },
    ]);
  });

  it("a node may repeat its own address as its LAN address", () => {
    expect(problemsWith((r) => (r.nodes[0].lanAddress = "100.81.76.55"))).toStrictEqual([]);
  });

  it("a shared address is still reported when the first node's name is empty, which shows as ?", () => {
    expect(
      problemsWith((r) => {
        r.nodes[0].name = "";
        r.nodes[1].address = "100.81.76.55";
      }),
    ).toStrictEqual([
      { path: "homelab:nodes[0].name", message: '"" is not a valid node name', fix: "use lower-case letters, digits, '-' and '.'" },
      { path: "homelab:nodes[1].address", message: "address 100.81.76.55 is already used by homelab:nodes[0] (?)", fix: "every node needs its own addresses" },
    ]);
  });

  it("two nodes with empty names are not reported as sharing a name", () => {
    expect(
      problemsWith((r) => {
        r.nodes[0].name = "";
        r.nodes[1].name = "";
      }),
    ).toStrictEqual([
      { path: "homelab:nodes[0].name", message: '"" is not a valid node name', fix: "use lower-case letters, digits, '-' and '.'" },
      { path: "homelab:nodes[1].name", message: '"" is not a valid node name', fix: "use lower-case letters, digits, '-' and '.'" },
    ]);
  });
});
