package io.chainrule.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

import java.util.Arrays;
import java.util.List;

/**
 * The two columns a DataFrame is trained on, checked before anything runs: features an {@code array<float>},
 * {@code array<double>} or Spark ML {@code Vector}; the label an integer type (a class index) or
 * {@code float}/{@code double} (a value). Each row becomes an {@link IndexedExample} whose index is the row's
 * position in the DataFrame ({@code zipWithIndex}), so the DataFrame's order must be deterministic — as it is for
 * files read as they are; sort a shuffled one first.
 */
final class RowColumns {
    private RowColumns() {}

    /** The checked column types. */
    record Checked(String features, String label, boolean classLabels) {}

    static Checked check(Dataset<Row> data, String featuresCol, String labelCol) {
        StructType schema = data.schema();
        List<String> names = Arrays.asList(schema.fieldNames());
        for (String c : new String[] {featuresCol, labelCol}) {
            if (c == null || !names.contains(c)) {
                throw new IllegalArgumentException("SparkTrainer.fit: the DataFrame has no column '" + c + "' (it has "
                        + String.join(", ", names) + ")");
            }
        }
        DataType ft = field(schema, featuresCol).dataType();
        boolean arrayOfFloats = ft instanceof ArrayType a
                && (a.elementType() instanceof FloatType || a.elementType() instanceof DoubleType);
        boolean vector = ft instanceof UserDefinedType<?> u && Vector.class.isAssignableFrom(u.userClass());
        if (!arrayOfFloats && !vector) {
            throw new IllegalArgumentException("SparkTrainer.fit: features column '" + featuresCol + "' is "
                    + ft.simpleString() + "; it must be array<float>, array<double> or a Spark ML vector");
        }
        DataType lt = field(schema, labelCol).dataType();
        boolean classes = lt instanceof IntegerType || lt instanceof LongType || lt instanceof ShortType || lt instanceof ByteType;
        boolean values = lt instanceof FloatType || lt instanceof DoubleType;
        if (!classes && !values) {
            throw new IllegalArgumentException("SparkTrainer.fit: label column '" + labelCol + "' is " + lt.simpleString()
                    + "; it must be an integer type (class index) or float/double (a value)");
        }
        return new Checked(featuresCol, labelCol, classes);
    }

    static JavaRDD<IndexedExample> examples(Dataset<Row> data, Checked c) {
        boolean classes = c.classLabels();
        return data.select(c.features(), c.label()).javaRDD().zipWithIndex().map(t -> convert(t._1(), t._2(), classes));
    }

    /** The feature count of the first row (every other row must match). */
    static int featureSize(Dataset<Row> data, Checked c) {
        List<Row> first = data.select(c.features(), c.label()).limit(1).collectAsList();
        if (first.isEmpty()) throw new IllegalArgumentException("SparkTrainer.fit: the DataFrame has no rows");
        return convert(first.get(0), 0, c.classLabels()).features().length;
    }

    static IndexedExample convert(Row row, long index, boolean classes) {
        if (row.isNullAt(0) || row.isNullAt(1)) {
            throw new IllegalArgumentException("row " + index + " has a null " + (row.isNullAt(0) ? "features" : "label") + " value");
        }
        Object f = row.get(0);
        float[] x;
        if (f instanceof Vector v) {
            double[] d = v.toArray();
            x = new float[d.length];
            for (int i = 0; i < d.length; i++) x[i] = (float) d[i];
        } else {
            List<Object> list = row.getList(0);
            x = new float[list.size()];
            for (int i = 0; i < x.length; i++) {
                Object o = list.get(i);
                if (o == null) throw new IllegalArgumentException("row " + index + ": feature " + i + " is null");
                x[i] = ((Number) o).floatValue();
            }
        }
        Number label = (Number) row.get(1);
        if (classes && label.longValue() < 0) {
            throw new IllegalArgumentException("row " + index + ": class label " + label + " is negative");
        }
        return new IndexedExample(index, x, classes ? label.longValue() : 0, classes ? 0 : label.floatValue());
    }

    private static StructField field(StructType schema, String name) {
        return schema.fields()[schema.fieldIndex(name)];
    }
}
