// imageRef's exact output: `repository:tag` for a tag alone, `repository:tag@digest` when a digest pins it.
import { ImageRef, imageRef } from "../../components/kit";

const image: ImageRef = { repository: "docker.io/library/busybox", tag: "1.37.0", seenIn: "test fixture", runsAsNonRoot: false };

describe("imageRef", () => {
  it("an image without a digest is referenced as repository:tag", () => {
    expect(imageRef(image)).toBe("docker.io/library/busybox:1.37.0");
  });

  it("an image with a digest is referenced as repository:tag@digest", () => {
    expect(imageRef({ ...image, digest: "sha256:0123abcd" })).toBe("docker.io/library/busybox:1.37.0@sha256:0123abcd");
  });
});
