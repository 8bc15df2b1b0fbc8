"""Platform services every module uses: one place for each rule, no Flask request state inside."""
