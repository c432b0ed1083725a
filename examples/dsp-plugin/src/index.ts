import { defineDspNode } from "@grimnir/core";

/** Parameters of the `stereo_width` node. */
export interface StereoWidthParams {
  /** 0 = mono, 1 = unchanged, 2 = twice as wide. */
  width: number;
}

/**
 * A third-party DSP node: mid/side stereo width. Register it once
 * (`dspNodes.register(stereoWidth)`) and any station graph may use
 * `type: stereo_width`; the engine runs its `create` in the station's chain.
 */
export const stereoWidth = defineDspNode<StereoWidthParams>({
  type: "stereo_width",
  description: "Narrows or widens the stereo image (mid/side).",
  params: {
    type: "object",
    properties: {
      width: {
        type: "number",
        minimum: 0,
        maximum: 2,
        default: 1,
        description: "Side gain: 0 = mono, 1 = unchanged, 2 = wide.",
      },
    },
  },
  create: ({ width }) => ({
    process([left, right]) {
      if (!left || !right) return;
      for (let i = 0; i < left.length; i++) {
        const mid = (left[i]! + right[i]!) / 2;
        const side = ((left[i]! - right[i]!) / 2) * width;
        left[i] = mid + side;
        right[i] = mid - side;
      }
    },
  }),
});
