package io.chainrule.spark;

/** Hears about training progress on the driver. Both methods do nothing by default. */
public interface TrainingListener {
    /**
     * After each step.
     *
     * @param epoch    from 0
     * @param step     from 0 within the epoch
     * @param loss     the mean loss over the step's global batch, before the update
     * @param examples the global batch's size
     * @param correct  correctly classified examples of the batch (class labels), else 0
     */
    default void onStep(int epoch, int step, double loss, int examples, long correct) {}

    /**
     * After each epoch.
     *
     * @param loss     the mean loss over the epoch's examples (each step's loss weighted by its batch)
     * @param accuracy the share classified correctly (class labels), else 0
     */
    default void onEpoch(int epoch, double loss, double accuracy) {}
}
