"""The lab's CSV read by tube barcode (SPEC §8.1): rows name a tube, carry its
genotypes, received and resulted times, or its rejection."""
