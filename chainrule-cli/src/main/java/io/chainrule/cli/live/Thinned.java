package io.chainrule.cli.live;

import java.util.ArrayList;
import java.util.List;

/**
 * A list that stays short: past {@code cap} entries it keeps every second one (the first included), so a long run
 * keeps an even sample of its whole history and the page's data stays small. The newest entry is always kept.
 */
final class Thinned<T> {
    private final int cap;
    private final List<T> items = new ArrayList<>();
    /** Only every {@code stride}-th offered entry is kept, doubling at each thinning so the spacing stays even. */
    private long stride = 1;
    private long offered;
    private T newest;

    Thinned(int cap) {
        if (cap < 2) throw new IllegalArgumentException("cap must be at least 2, got " + cap);
        this.cap = cap;
    }

    void add(T item) {
        newest = item;
        if (offered++ % stride != 0) return;
        items.add(item);
        if (items.size() > cap) {
            List<T> kept = new ArrayList<>();
            for (int i = 0; i < items.size(); i += 2) kept.add(items.get(i));
            items.clear();
            items.addAll(kept);
            stride *= 2;
        }
    }

    /** The kept entries, then the newest one if thinning skipped it. */
    List<T> items() {
        List<T> out = new ArrayList<>(items);
        if (newest != null && (out.isEmpty() || out.get(out.size() - 1) != newest)) out.add(newest);
        return out;
    }
}
