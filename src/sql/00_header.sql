-- customer_seg 1.0: types, scaling, k-means fit and labelling.
\echo Use "CREATE EXTENSION customer_seg" to load this file. \quit
