package io.chainrule.spark;

import io.chainrule.parallel.ShardData;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Moves the examples once into {@code shards} partitions (partition s holds the examples i with i mod shards = s)
 * and keeps each as one packed {@link ShardData}, cached in the executors (memory, spilling to disk) for the whole
 * run. Each step's task reads its shard from there; nothing is shipped again. A lost executor's shards are
 * rebuilt by Spark from the source, and come out the same: each partition is put in data order by index, whatever
 * order the shuffle delivered it in.
 */
final class ShardCache {
    private ShardCache() {}

    static JavaRDD<ShardData> build(JavaRDD<IndexedExample> examples, int shards, int featureSize, boolean classLabels) {
        JavaRDD<ShardData> packed = examples
                .mapToPair(e -> new Tuple2<>(e.index(), e))
                .partitionBy(new ShardPartitioner(shards))
                .mapPartitionsWithIndex((shard, it) -> List.of(pack(shard, shards, featureSize, classLabels, it)).iterator(), true);
        return packed.persist(StorageLevel.MEMORY_AND_DISK());
    }

    static ShardData pack(int shard, int shards, int featureSize, boolean classLabels,
                          Iterator<Tuple2<Long, IndexedExample>> it) {
        List<IndexedExample> list = new ArrayList<>();
        while (it.hasNext()) list.add(it.next()._2());
        list.sort(Comparator.comparingLong(IndexedExample::index));
        int m = list.size();
        float[] f = new float[Math.multiplyExact(m, featureSize)];
        long[] c = classLabels ? new long[m] : null;
        float[] v = classLabels ? null : new float[m];
        for (int p = 0; p < m; p++) {
            IndexedExample e = list.get(p);
            if (e.index() != (long) p * shards + shard) {
                throw new IllegalStateException("shard " + shard + ": example " + e.index() + " arrived at position " + p
                        + " (the data's index is not a dense 0..n-1 sequence)");
            }
            if (e.features().length != featureSize) {
                throw new IllegalArgumentException("row " + e.index() + " has " + e.features().length
                        + " features where the first row has " + featureSize);
            }
            System.arraycopy(e.features(), 0, f, p * featureSize, featureSize);
            if (classLabels) c[p] = e.classLabel();
            else v[p] = e.valueLabel();
        }
        return new ShardData(shard, m, featureSize, f, c, v);
    }
}
