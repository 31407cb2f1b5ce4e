"""Building blocks of the synthetic region written by `nro_pipeline.lib.sample.region`.

`population` decides the schools once (place, levels, size, conditions, ability, planted cases);
`registry`, `passport`, `vpr` and `gia` turn one year of it into the rows of each landing file.
"""
