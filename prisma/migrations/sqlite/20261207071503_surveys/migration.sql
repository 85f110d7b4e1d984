-- CreateTable
CREATE TABLE "Survey" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "regionId" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL DEFAULT '',
    "kind" TEXT NOT NULL DEFAULT 'survey',
    "questions" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "sendAt" DATETIME,
    "sentAt" DATETIME,
    "remindAfterDays" INTEGER NOT NULL DEFAULT 3,
    "remindedAt" DATETIME,
    "closedAt" DATETIME,
    "createdById" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "surveyId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "regionId" INTEGER NOT NULL,
    "liaisonId" INTEGER,
    "answers" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "asked" BOOLEAN NOT NULL DEFAULT false,
    "answeredById" INTEGER,
    "filledByLiaison" BOOLEAN NOT NULL DEFAULT false,
    "remindedAt" DATETIME,
    "completedAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SurveyResponse_surveyId_fkey" FOREIGN KEY ("surveyId") REFERENCES "Survey" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LiaisonReport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "liaisonId" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Survey_status_sendAt_idx" ON "Survey"("status", "sendAt");

-- CreateIndex
CREATE INDEX "Survey_regionId_idx" ON "Survey"("regionId");

-- CreateIndex
CREATE INDEX "SurveyResponse_surveyId_status_idx" ON "SurveyResponse"("surveyId", "status");

-- CreateIndex
CREATE INDEX "SurveyResponse_householdId_status_idx" ON "SurveyResponse"("householdId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "SurveyResponse_surveyId_householdId_key" ON "SurveyResponse"("surveyId", "householdId");

-- CreateIndex
CREATE UNIQUE INDEX "LiaisonReport_liaisonId_period_key" ON "LiaisonReport"("liaisonId", "period");
