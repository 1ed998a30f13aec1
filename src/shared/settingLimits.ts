// The settings' bounds, with no dependencies: the renderer's History view checks its input
// against them without bringing zod (settings.ts's schemas) into its chunk.

/** The most dumps of each installation retention may keep. */
export const MAX_DUMPS_KEPT = 1000;
