package dev.fakelake.transforms.generate;

import java.io.Serializable;

/** A real city with its region and coordinates; the weight is its population in thousands. */
public record City(String name, String region, double latitude, double longitude, int weight)
    implements Serializable {}
